// Package sdkcontract holds a test that drives the in-memory orq API
// (internal/orqmem) with the official TypeScript SDK, @orq-ai/node, pinned
// by package-lock.json: agents (contract.mjs), tools, knowledge bases,
// memory stores and agent schedules (graph.mjs). Every answer is checked
// against the SDK's schemas and the OpenAPI documents.
package sdkcontract
