// Package sdkcontract holds a test that drives the in-memory orq API
// (internal/orqmem) with the official TypeScript SDK, @orq-ai/node, pinned
// by package-lock.json, and checks every answer against the SDK's schemas
// and the OpenAPI document.
package sdkcontract
