/**
 * The production implementation map. Operations without an entry answer 501 not_implemented
 * (after request validation): today the three /v1 operations, which arrive with API keys and
 * delivery.
 */
import type { Implementations } from './context.ts';
import { getApiReference } from './getApiReference.ts';
import { getHealth } from './getHealth.ts';
import { getOpenApiJson } from './getOpenApiJson.ts';
import { getOpenApiYaml } from './getOpenApiYaml.ts';
import { getReadiness } from './getReadiness.ts';

export const implementations: Implementations = {
  getHealth,
  getReadiness,
  getOpenApiYaml,
  getOpenApiJson,
  getApiReference,
};
