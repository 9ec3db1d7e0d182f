/**
 * The OpenAPI 3.1 document, generated from the route table and the same zod schemas that validate the
 * requests (zod's JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { Route } from './app.js';
import { errorSchema } from './schemas.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** `/v1/entries/:index/payload` → `/v1/entries/{index}/payload` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { description: 'error', content: { 'application/json': { schema: schemaOf(errorSchema, 'output') } } };
  for (const route of routes) {
    const p = openApiPath(route.path);
    const parameters: Array<{ name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }> = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1] as string,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const status = String(route.status ?? 200);
    const produces = route.produces ?? 'application/json';
    const success: Record<string, unknown> = { description: 'success' };
    if (route.status !== 204) success.content = { [produces]: { schema: route.response ? schemaOf(route.response, 'output') : {} } };
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: `${route.method}${p.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      responses: { [status]: success, '4XX': error, '5XX': error },
    };
    if (route.query) {
      const query = schemaOf(route.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
      }
    }
    if (parameters.length > 0) operation.parameters = parameters;
    if (route.request) operation.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(route.request, 'input') } } };
    if (route.consumes) operation.requestBody = { required: true, content: Object.fromEntries(route.consumes.map((type) => [type, { schema: { type: 'string' } }])) };
    if (route.scope !== undefined) operation.security = [{ bearer: [route.scope] }];
    paths[p] = { ...(paths[p] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil', version: '1', description: 'Tamper-evident audit ledger and DLP output filter for AI agents.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Vigil token: scopes agent, auditor, admin' } } },
    paths,
  };
}
