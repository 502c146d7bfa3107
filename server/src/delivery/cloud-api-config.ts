import type { Config } from '../config.ts';
import { createCloudApiClient, type CloudApiClient } from '../whatsapp/cloud-api.ts';

/** The WhatsApp Cloud API client the configuration describes (base URL, Graph version, timeout). */
export function cloudApiFromConfig(config: Pick<Config, 'metaGraphBaseUrl' | 'metaGraphVersion' | 'metaTimeoutMs'>): CloudApiClient {
  return createCloudApiClient({ baseUrl: config.metaGraphBaseUrl, graphVersion: config.metaGraphVersion, timeoutMs: config.metaTimeoutMs });
}
