// Lists: every list of the API answers `{ object: 'list', data, has_more, next_cursor }`. A
// list method returns a PagedList: iterate it with `for await` to get every item, page after
// page (each page is fetched when the previous one is used up), or ask for one page with
// `page()` and go on from its `next_cursor`. The walk is stable: items created meanwhile are
// not returned twice and do not make the walk skip any.
import type { components, operations } from './generated/openapi.js';
import type { Extensible, Message, ResponseInfo } from './types.js';

type Schemas = components['schemas'];

/** `outbound` (sent through the API) or `inbound` (written by a customer); more may be added. */
export type MessageDirection = Extensible<'outbound' | 'inbound'>;

/** A customer's message to one of the agent's numbers (`from` is the customer). */
export type InboundMessage = Omit<Schemas['InboundMessage'], 'direction'> & { direction: 'inbound' };

/** An item of `listMessages`: narrow it on `direction`. */
export type ListedMessage = (Message & { direction?: 'outbound' }) | InboundMessage;

export type Conversation = Schemas['Conversation'];
export type WhatsAppWindow = Schemas['WhatsAppWindow'];

export type ListMessagesQuery = NonNullable<operations['listWhatsAppMessages']['parameters']['query']>;
export type ListConversationsQuery = NonNullable<operations['listWhatsAppConversations']['parameters']['query']>;
export type WindowQuery = operations['getWhatsAppWindow']['parameters']['query'];

/** One page of a list, plus `lastResponse` (not enumerable). */
export interface Page<T> {
  readonly object: 'list';
  readonly data: T[];
  readonly has_more: boolean;
  /** Pass it as `cursor` for the next page; null on the last page. */
  readonly next_cursor: string | null;
  readonly lastResponse: ResponseInfo;
}

export interface PagedList<T> extends AsyncIterable<T> {
  /** The page the query names: the first one, or the one after `cursor` when the query has one. */
  page(): Promise<Page<T>>;
  /** Every page from there on, each fetched when the previous one was consumed. */
  pages(): AsyncIterableIterator<Page<T>>;
}

/** A PagedList over `fetchPage`, which gets the query with the cursor of the page to fetch. */
export function pagedList<T, Q extends { cursor?: string }>(query: Q, fetchPage: (query: Q) => Promise<Page<T>>): PagedList<T> {
  async function* pages(): AsyncIterableIterator<Page<T>> {
    let cursor = query.cursor;
    for (;;) {
      const page = await fetchPage(cursor === undefined ? query : { ...query, cursor });
      yield page;
      if (!page.has_more || page.next_cursor === null) return;
      if (page.next_cursor === cursor) throw new Error('the API answered the same cursor twice; stopping the walk');
      cursor = page.next_cursor;
    }
  }
  return {
    page: () => fetchPage(query),
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const page of pages()) yield* page.data;
    },
  };
}

/** Per-call options of the read methods (the client's RequestOptions). */
interface CallOptions {
  readonly correlationId?: string;
  readonly signal?: AbortSignal;
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
}

/** A GET through the client (authentication, retries, typed errors), resolving with the body plus `lastResponse`. */
export type ReadFunction = <T>(path: string, params: { path?: Record<string, string>; query?: object }, call: CallOptions) => Promise<T>;

export interface ListMethods {
  /**
   * GET /v1/whatsapp/messages: sent and received messages, newest first, with the query's
   * filters. `for await (const m of whatsapp.listMessages({ direction: 'inbound' }))` walks
   * every page; `.page()` fetches one.
   */
  listMessages(query?: ListMessagesQuery, options?: CallOptions): PagedList<ListedMessage>;
  /** GET /v1/whatsapp/conversations: conversations with their 24-hour windows, newest first. */
  listConversations(query?: ListConversationsQuery, options?: CallOptions): PagedList<Conversation>;
  /** GET /v1/whatsapp/conversations/{id}: one conversation and its window. */
  getConversation(id: string, options?: CallOptions): Promise<Conversation & { readonly lastResponse: ResponseInfo }>;
  /** GET /v1/whatsapp/window: whether free-form text from `from` to `to` would be accepted now. */
  getWindow(query: WindowQuery, options?: CallOptions): Promise<WhatsAppWindow & { readonly lastResponse: ResponseInfo }>;
}

export function listMethods(read: ReadFunction): ListMethods {
  return {
    listMessages: (query = {}, options = {}) =>
      pagedList(query, (q) => read<Page<ListedMessage>>('/v1/whatsapp/messages', { query: q }, options)),
    listConversations: (query = {}, options = {}) =>
      pagedList(query, (q) => read<Page<Conversation>>('/v1/whatsapp/conversations', { query: q }, options)),
    getConversation: (id, options = {}) => {
      if (typeof id !== 'string' || id.length === 0)
        return Promise.reject(new TypeError('getConversation needs the conversation id (a UUID string)'));
      return read('/v1/whatsapp/conversations/{id}', { path: { id } }, options);
    },
    getWindow: (query, options = {}) => read('/v1/whatsapp/window', { query }, options),
  };
}
