// Drives the in-memory orq API (orqmem, started by sdk_test.go) with the
// official TypeScript SDK: agents, tools, knowledge bases, memory stores and
// agent schedules. The SDK parses every success and 404 answer with its zod
// schemas and throws on a mismatch, so a step passes only if the SDK accepted
// the answer. Prints one JSON report on stdout: {"steps": [{name, ok, error}]}.
//
// Environment: ORQ_BASE_URL (its GET /v2/agents/limited answers 429),
// ORQ_API_KEY (a workspace key), ORQ_PROJECT_KEY (a key scoped to project
// Sales), ORQ_BROKEN_URL (a server whose agent "broken" lacks its model,
// which the SDK must refuse).
import { Orq } from "@orq-ai/node";
import { HTTPClient } from "@orq-ai/node/lib/http.js";
import * as errors from "@orq-ai/node/models/errors/index.js";
import { isDeepStrictEqual } from "node:util";
import { run as runGraph } from "./graph.mjs";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

// raw keeps the last raw JSON answer per "METHOD path", read before the SDK
// consumes it, so that updates can be compared field by field.
const raw = new Map();

function client(apiKey, serverURL = env("ORQ_BASE_URL")) {
  const http = new HTTPClient();
  http.addHook("response", async (res, req) => {
    const path = new URL(req.url).pathname;
    raw.set(`${req.method} ${path}`, await res.clone().text());
  });
  return new Orq({ apiKey, serverURL, httpClient: http });
}

const steps = [];

async function step(name, fn) {
  try {
    await fn();
    steps.push({ name, ok: true });
  } catch (err) {
    steps.push({ name, ok: false, error: `${err?.name}: ${err?.message}`.slice(0, 2000) });
  }
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// rejects runs fn and requires it to throw an instance of cls with status.
async function rejects(fn, cls, status) {
  try {
    await fn();
  } catch (err) {
    check(err instanceof cls, `threw ${err?.name} (${err?.message}), want ${cls.name}`);
    check(err.statusCode === status, `status ${err.statusCode}, want ${status}`);
    return err;
  }
  throw new Error(`no error, want ${cls.name} ${status}`);
}

const lastJSON = (method, path) => JSON.parse(raw.get(`${method} ${path}`));

// changedFields lists the top-level fields that differ between two agents.
function changedFields(before, after) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !isDeepStrictEqual(before[k], after[k])).sort();
}

const toolIds = (agent) => Object.fromEntries((agent.settings.tools ?? []).map((t) => [t.key ?? t.actionType, t.id]));

const orq = client(env("ORQ_API_KEY"));
const fullAgent = {
  key: "sdk-full",
  displayName: "SDK full",
  role: "Support agent",
  description: "Answers questions",
  instructions: "Help {{customer}} with {{topic}}.",
  path: "Default/sdk",
  model: { id: "openai/gpt-4o", parameters: { temperature: 0.2, reasoningEffort: "max" }, retry: { onCodes: [429] } },
  fallbackModels: ["openai/gpt-4o-mini", { id: "anthropic/claude-haiku-4-5-20251001", parameters: { topP: 0.5 } }],
  settings: {
    maxIterations: 10,
    tools: [
      { type: "http", key: "weather", requiresApproval: true },
      { type: "current_date" },
      { type: "file_system", configuration: { fileSystemKey: "docs" } },
    ],
    evaluators: [{ id: "orq_tone", executeOn: "output", options: { strict: true } }],
    guardrails: [{ id: "orq_pii_detection", executeOn: "input", options: { entities: ["EMAIL_ADDRESS"] } }],
  },
  variables: { topic: "billing" },
};
const minimal = (key, path = "Default") => ({
  key, role: "r", description: "d", instructions: "i", path, model: "openai/gpt-4o", settings: {},
});

let weatherTool;
await step("create the tool the agents name (orq refuses an agent naming a missing one)", async () => {
  weatherTool = await orq.tools.create({
    path: "Default", key: "weather", description: "Weather by city", type: "http",
    http: { blueprint: { url: "https://weather.example/{{city}}", method: "GET" } },
  });
  check(/^tool_[0-9A-HJKMNP-TV-Z]{26}$/.test(weatherTool.id) && weatherTool.status === "live", `tool ${weatherTool.id} ${weatherTool.status}`);
});

let created, createdRaw;
await step("create an agent with tools, fallbacks, evaluators and SDK-only fields", async () => {
  created = await orq.agents.create(fullAgent);
  createdRaw = lastJSON("POST", "/v2/agents");
  check(created.key === "sdk-full" && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(created.id), `created ${created.key} ${created.id}`);
  check(created.model.fallbackModels?.length === 2, "fallback models not in model");
  check(created.variables.customer === "" && created.variables.topic === "billing", `variables ${JSON.stringify(created.variables)}`);
  const fs = created.settings.tools.find((t) => t.actionType === "file_system");
  check(fs?.configuration?.access_mode === "read_only", `file_system tool ${JSON.stringify(fs)}`);
});

await step("create more agents, one naming the same tool key", async () => {
  for (const key of ["sdk-b", "sdk-c", "sdk-d"]) await orq.agents.create(minimal(key));
  const e = await orq.agents.create({ ...minimal("sdk-e"), settings: { tools: [{ type: "http", key: "weather" }] } });
  check(toolIds(e).weather === toolIds(created).weather, `tool weather: ${toolIds(e).weather} vs ${toolIds(created).weather}`);
  check(toolIds(e).weather === weatherTool.id.replace(/^tool_/, ""), `tool weather echoed as ${toolIds(e).weather}, is ${weatherTool.id}`);
});

await step("create with a taken key is a 409", () => rejects(() => orq.agents.create(minimal("sdk-b")), errors.APIError, 409));

await step("create with a non-ULID tool id is a 400", () =>
  rejects(() => orq.agents.create({ ...minimal("sdk-bad"), settings: { tools: [{ type: "http", id: "weather" }] } }), errors.APIError, 400));

await step("retrieve answers what create answered", async () => {
  const got = await orq.agents.retrieve("sdk-full");
  check(isDeepStrictEqual(lastJSON("GET", "/v2/agents/sdk-full"), createdRaw), "retrieve differs from the create answer");
  check(isDeepStrictEqual(got, created), "the SDK parsed retrieve and create differently");
});

await step("retrieve of an unknown key is the documented 404", async () => {
  const err = await rejects(() => orq.agents.retrieve("nope"), errors.RetrieveAgentRequestResponseBody, 404);
  check(err.data$.message === "Agent not found", `message ${err.data$.message}`);
});

// update sends body, then requires that only the fields it names (and
// updated, version) changed, comparing the raw answers of two retrieves.
async function updateOnly(key, body, allowed) {
  await orq.agents.retrieve(key);
  const before = lastJSON("GET", `/v2/agents/${key}`);
  await orq.agents.update(body, key);
  await orq.agents.retrieve(key);
  const after = lastJSON("GET", `/v2/agents/${key}`);
  const unexpected = changedFields(before, after).filter((f) => !allowed.includes(f));
  check(unexpected.length === 0, `fields changed although not sent: ${unexpected.join(", ")}`);
  return { before, after };
}

await step("update of role changes only role", async () => {
  const { after } = await updateOnly("sdk-full", { role: "Billing agent" }, ["role", "updated"]);
  check(after.role === "Billing agent", `role ${after.role}`);
});

await step("update of settings changes only settings, keeping tool ids", async () => {
  const settings = { maxIterations: 7, tools: [{ type: "http", key: "weather" }] };
  const { before, after } = await updateOnly("sdk-full", { settings }, ["settings", "updated"]);
  check(after.settings.max_iterations === 7, `max_iterations ${after.settings.max_iterations}`);
  const id = (a) => a.settings.tools.find((t) => t.key === "weather")?.id;
  check(id(after) === id(before), `tool weather id ${id(before)} -> ${id(after)}`);
});

await step("update of model keeps the fallback models and bumps the version", async () => {
  const { after } = await updateOnly("sdk-full", { model: "openai/gpt-4.1", versionIncrement: "minor" }, ["model", "updated", "version"]);
  check(after.model.id === "openai/gpt-4.1" && after.model.fallback_models?.length === 2, `model ${JSON.stringify(after.model)}`);
  check(after.version === "1.1.0", `version ${after.version}`);
});

await step("update of an unknown key is the documented 404", () =>
  rejects(() => orq.agents.update({ role: "x" }, "nope"), errors.UpdateAgentResponseBody, 404));

await step("update to an unknown project_id is a 404", async () => {
  const err = await rejects(() => orq.agents.update({ projectId: "01JQRM3MP0N0SUCHPR0JECT000" }, "sdk-b"), errors.UpdateAgentResponseBody, 404);
  check(err.data$.message === "Project not found", `message ${err.data$.message}`);
});

await step("list pages with starting_after and ending_before", async () => {
  const all = await orq.agents.list();
  check(all.data.length === 5 && !all.hasMore, `unpaged list has ${all.data.length}, has_more ${all.hasMore}`);
  const order = all.data.map((a) => a.key);
  check(order.join() === "sdk-e,sdk-d,sdk-c,sdk-b,sdk-full", `order ${order}`);
  const p1 = await orq.agents.list(2);
  const p2 = await orq.agents.list(2, p1.data.at(-1).id);
  const p3 = await orq.agents.list(2, p2.data.at(-1).id);
  const keys = (p) => p.data.map((a) => a.key).join();
  check(p1.hasMore && p2.hasMore && !p3.hasMore, `has_more ${p1.hasMore} ${p2.hasMore} ${p3.hasMore}`);
  check([keys(p1), keys(p2), keys(p3)].join() === order.join(), `pages ${keys(p1)} | ${keys(p2)} | ${keys(p3)}`);
  const back = await orq.agents.list(2, undefined, p2.data[0].id);
  check(keys(back) === keys(p1) && !back.hasMore, `ending_before gave ${keys(back)}, has_more ${back.hasMore}`);
  const back2 = await orq.agents.list(1, undefined, p3.data[0].id);
  check(keys(back2) === "sdk-b" && back2.hasMore, `ending_before limit 1 gave ${keys(back2)}, has_more ${back2.hasMore}`);
});

await step("delete, then retrieve and delete are 404", async () => {
  await orq.agents.delete("sdk-d");
  await rejects(() => orq.agents.retrieve("sdk-d"), errors.RetrieveAgentRequestResponseBody, 404);
  await rejects(() => orq.agents.delete("sdk-d"), errors.DeleteAgentResponseBody, 404);
});

await step("a rate-limited answer is a 429 with its message", async () => {
  const err = await rejects(() => orq.agents.retrieve("limited"), errors.APIError, 429);
  check(err.body === '{"message":"slow down"}', `body ${err.body}`);
});

await step("a wrong API key is a 401", () => rejects(() => client("wrong-key").agents.list(), errors.APIError, 401));

await step("a project-scoped key sees paths relative to its project", async () => {
  const scoped = client(env("ORQ_PROJECT_KEY"));
  const a = await scoped.agents.create(minimal("sdk-scoped", "Sales/agents"));
  check(a.path === "agents", `echoed path ${a.path}`);
  const b = await scoped.agents.update({ path: "bots" }, "sdk-scoped");
  check(b.path === "bots", `updated path ${b.path}`);
  const ws = await orq.agents.retrieve("sdk-scoped");
  check(ws.path === "Sales/bots" && ws.projectId === a.projectId, `workspace sees ${ws.path} in ${ws.projectId}`);
  const listed = await scoped.agents.list();
  check(listed.data.map((x) => x.key).join() === "sdk-scoped", `scoped list ${listed.data.map((x) => x.key)}`);
});

await runGraph({ orq, client, step, check, rejects, lastJSON, errors, minimal, env });

await step("the SDK refuses an answer that breaks its schema", async () => {
  try {
    await client(env("ORQ_API_KEY"), env("ORQ_BROKEN_URL")).agents.retrieve("broken");
  } catch (err) {
    check(err instanceof errors.ResponseValidationError, `threw ${err?.name}: ${err?.message}`);
    return;
  }
  throw new Error("the SDK accepted an agent without model");
});

process.stdout.write(JSON.stringify({ steps }) + "\n");
