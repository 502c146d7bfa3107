/**
 * The production implementation map. An operation without an entry would answer 501
 * not_implemented (after request validation).
 */
import type { Implementations } from './context.ts';
import { createWebhookEndpoint } from './createWebhookEndpoint.ts';
import { deleteWebhookEndpoint } from './deleteWebhookEndpoint.ts';
import { getApiReference } from './getApiReference.ts';
import { getEvent } from './getEvent.ts';
import { getHealth } from './getHealth.ts';
import { getOpenApiJson } from './getOpenApiJson.ts';
import { getOpenApiYaml } from './getOpenApiYaml.ts';
import { getReadiness } from './getReadiness.ts';
import { getWebhookEndpoint } from './getWebhookEndpoint.ts';
import { getWhatsAppConversation } from './getWhatsAppConversation.ts';
import { getWhatsAppMessageStatus } from './getWhatsAppMessageStatus.ts';
import { getWhatsAppWindow } from './getWhatsAppWindow.ts';
import { listEvents } from './listEvents.ts';
import { listWebhookEndpoints } from './listWebhookEndpoints.ts';
import { listWhatsAppConversations } from './listWhatsAppConversations.ts';
import { listWhatsAppMessages } from './listWhatsAppMessages.ts';
import { redeliverEvent } from './redeliverEvent.ts';
import { rotateWebhookEndpointSecret } from './rotateWebhookEndpointSecret.ts';
import { sendWhatsAppMessage } from './sendWhatsAppMessage.ts';
import { sendWhatsAppTemplate } from './sendWhatsAppTemplate.ts';
import { simulateWhatsAppInboundMessage } from './simulateWhatsAppInboundMessage.ts';
import { updateWebhookEndpoint } from './updateWebhookEndpoint.ts';

export const implementations: Implementations = {
  getHealth,
  getReadiness,
  getOpenApiYaml,
  getOpenApiJson,
  getApiReference,
  sendWhatsAppMessage,
  sendWhatsAppTemplate,
  getWhatsAppMessageStatus,
  simulateWhatsAppInboundMessage,
  listWhatsAppMessages,
  listWhatsAppConversations,
  getWhatsAppConversation,
  getWhatsAppWindow,
  createWebhookEndpoint,
  listWebhookEndpoints,
  getWebhookEndpoint,
  updateWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookEndpointSecret,
  listEvents,
  getEvent,
  redeliverEvent,
};
