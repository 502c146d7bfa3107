// Types of openapi-ref.mjs.
export type JsonObject = { [key: string]: unknown };
export declare function isObject(value: unknown): value is JsonObject;
export declare function atPointer(document: JsonObject, pointer: string): unknown;
export declare function resolveRef(document: JsonObject, value: unknown): unknown;
