// The steps of contract.mjs for the tools, knowledge bases, memory stores
// and agent schedules: each drives create, retrieve, list, update and
// delete through the SDK, which parses every answer with its schemas.
// h holds contract.mjs's helpers and its workspace client, h.orq.

const embedding = "openai/text-embedding-3-small";
const agentToolID = (tool) => tool.id.replace(/^tool_/, "");

export async function run(h) {
  const { orq, step, check, rejects, errors, lastJSON, minimal } = h;

  const tools = {};
  await step("tools: create one of each type", async () => {
    tools.fn = await orq.tools.create({
      path: "Default/tools", key: "sdk_lookup", description: "Looks up an order", type: "function",
      function: { name: "lookup", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } },
    });
    tools.schema = await orq.tools.create({
      path: "Default", key: "sdk_answer", description: "Answer format", type: "json_schema",
      jsonSchema: { name: "answer", description: "An answer", schema: { type: "object", properties: {}, required: [] } },
    });
    tools.code = await orq.tools.create({
      path: "Default", key: "sdk_calc", description: "Computes", type: "code",
      codeTool: { language: "python", code: "print(1)" },
    });
    tools.http = await orq.tools.create({
      path: "Default", key: "sdk_orders", displayName: "Orders", description: "Orders API", type: "http",
      http: {
        blueprint: { url: "https://orders.example/{{id}}", method: "POST", headers: { Auth: { value: "k", encrypted: true } }, timeout: 30 },
        arguments: { id: { type: "string", description: "Order id" } },
      },
    });
    const raw = lastJSON("POST", "/v2/tools");
    check(raw.http.arguments.id.send_to_model === true && raw.display_name === "Orders", `http tool ${JSON.stringify(raw)}`);
    check(tools.fn.displayName === "sdk_lookup" && tools.fn.path === "Default/tools", `function tool ${JSON.stringify(tools.fn)}`);
  });

  await step("tools: retrieve by id; a key is not an id (404)", async () => {
    const got = await orq.tools.retrieve({ toolId: tools.code.id });
    check(got.key === "sdk_calc" && got.type === "code", `retrieved ${JSON.stringify(got)}`);
    await rejects(() => orq.tools.retrieve({ toolId: "sdk_calc" }), errors.APIError, 404);
  });

  await step("tools: update, and the documented 404 of an unknown id", async () => {
    const before = await orq.tools.retrieve({ toolId: tools.http.id });
    const after = await orq.tools.update({ toolId: tools.http.id, requestBody: { type: "http", description: "Orders API v2", versionIncrement: "minor" } });
    check(after.description === "Orders API v2" && after.updated !== before.updated, `updated ${JSON.stringify(after)}`);
    const err = await rejects(() => orq.tools.update({ toolId: "tool_01JJ1HDHN79XAS7A01WB3HYSDB", requestBody: { type: "http" } }),
      errors.UpdateToolResponseBody, 404);
    check(err.error === "Tool with id tool_01JJ1HDHN79XAS7A01WB3HYSDB not found", `error ${err.error}`);
    await rejects(() => orq.tools.update({ toolId: tools.http.id, requestBody: { type: "code", codeTool: { language: "python", code: "x" } } }),
      errors.APIError, 400);
  });

  await step("tools: list everything, then page", async () => {
    const all = await orq.tools.list();
    const keys = all.data.map((t) => t.key).join();
    check(keys === "sdk_orders,sdk_calc,sdk_answer,sdk_lookup,weather" && !all.hasMore, `tools ${keys}`);
    const p1 = await orq.tools.list({ limit: 2 });
    const p2 = await orq.tools.list({ limit: 2, startingAfter: p1.data.at(-1).id });
    check(p1.hasMore && p2.data.map((t) => t.key).join() === "sdk_answer,sdk_lookup", `page 2 ${p2.data.map((t) => t.key)}`);
  });

  const kbs = {};
  await step("knowledge: create internal and external bases", async () => {
    kbs.internal = await orq.knowledge.create({ key: "sdk-faq", embeddingModel: embedding, path: "Default/kb", description: "FAQ" });
    check(kbs.internal.type === "internal" && kbs.internal.model === embedding, `internal ${JSON.stringify(kbs.internal)}`);
    check(kbs.internal.retrievalSettings.retrievalType === "hybrid_search" && kbs.internal.retrievalSettings.topK === 5,
      `retrieval settings ${JSON.stringify(kbs.internal.retrievalSettings)}`);
    kbs.external = await orq.knowledge.create({
      type: "external", key: "sdk-ext", path: "Default",
      externalConfig: { name: "Docs", apiUrl: "https://kb.example/api", apiKey: "s3cret" },
    });
    const raw = JSON.stringify(lastJSON("POST", "/v2/knowledge"));
    check(kbs.external.externalConfig.name === "Docs" && !raw.includes("s3cret"), `external ${raw}`);
  });

  await step("knowledge: retrieve, update, list with filters", async () => {
    const got = await orq.knowledge.retrieve({ knowledgeId: kbs.internal.id });
    check(got.key === "sdk-faq", `retrieved ${got.key}`);
    await rejects(() => orq.knowledge.retrieve({ knowledgeId: "sdk-faq" }), errors.APIError, 404);
    const updated = await orq.knowledge.update({
      knowledgeId: kbs.internal.id,
      knowledgeBasesServiceUpdateRequest: { type: "internal", retrievalSettings: { topK: 8, rerankConfig: { rerankModel: "cohere/rerank-v3.5" } } },
    });
    check(updated.retrievalSettings.topK === 8 && updated.retrievalSettings.rerankConfig?.rerankThreshold === 0.5,
      `updated ${JSON.stringify(updated.retrievalSettings)}`);
    await rejects(() => orq.knowledge.update({ knowledgeId: kbs.internal.id, knowledgeBasesServiceUpdateRequest: { type: "external" } }), errors.APIError, 400);
    const ext = await orq.knowledge.list({ type: "external" });
    const found = await orq.knowledge.list({ search: "FAQ" });
    check(ext.data.map((k) => k.key).join() === "sdk-ext" && found.data.map((k) => k.key).join() === "sdk-faq",
      `filters: ${ext.data.map((k) => k.key)} / ${found.data.map((k) => k.key)}`);
  });

  await step("memory stores: create, retrieve by key, update, list", async () => {
    const store = await orq.memoryStores.create({ key: "sdk.prefs", embeddingConfig: { model: embedding }, description: "Prefs", path: "Default", ttl: 60 });
    check(store.key === "sdk.prefs" && store.ttl === 60 && !("path" in lastJSON("POST", "/v2/memory-stores")), `store ${JSON.stringify(store)}`);
    const got = await orq.memoryStores.retrieve({ memoryStoreKey: "sdk.prefs" });
    check(got.id === store.id, `retrieved ${got.id}`);
    const err = await rejects(() => orq.memoryStores.retrieve({ memoryStoreKey: "nope" }), errors.HonoApiError, 404);
    check(err.data$.message === "Memory store not found", `message ${err.data$.message}`);
    // project_id, an SDK addition, moves the store to project Sales, whose key then sees it.
    const scoped = h.client(h.env("ORQ_PROJECT_KEY"));
    await rejects(() => scoped.memoryStores.retrieve({ memoryStoreKey: "sdk.prefs" }), errors.HonoApiError, 404);
    const sales = (await orq.agents.retrieve("sdk-scoped")).projectId;
    const updated = await orq.memoryStores.update({
      memoryStoreKey: "sdk.prefs", updateMemoryStoreRequest: { description: "Preferences", ttl: null, projectId: sales },
    });
    check(updated.description === "Preferences" && updated.ttl === null, `updated ${JSON.stringify(updated)}`);
    check((await scoped.memoryStores.retrieve({ memoryStoreKey: "sdk.prefs" })).id === store.id, "the Sales key does not see the moved store");
    await rejects(() => orq.memoryStores.create({ key: "sdk-prefs", embeddingConfig: { model: embedding }, description: "d", path: "Default" }),
      errors.APIError, 400);
    const list = await orq.memoryStores.list({ search: "PREFS" });
    check(list.data.map((m) => m.key).join() === "sdk.prefs", `list ${list.data.map((m) => m.key)}`);
  });

  await step("an agent names the tools, knowledge base and memory store by key or id", async () => {
    const agent = await orq.agents.create({
      ...minimal("sdk-user"),
      settings: { tools: [{ type: "function", id: agentToolID(tools.fn) }, { type: "code", key: "sdk_calc" }] },
      knowledgeBases: [{ knowledgeId: "sdk-faq" }, { knowledgeId: kbs.external.id }],
      memoryStores: ["sdk.prefs"],
    });
    const echoed = agent.settings.tools.map((t) => `${t.key}:${t.id}`).join();
    check(echoed === `sdk_lookup:${agentToolID(tools.fn)},sdk_calc:${agentToolID(tools.code)}`, `tools ${echoed}`);
    const err = await rejects(() => orq.agents.create({ ...minimal("sdk-missing"), memoryStores: ["gone"] }), errors.APIError, 400);
    check(err.body.includes('memory store \\"gone\\" does not exist'), `body ${err.body}`);
  });

  await step("a tool, knowledge base or memory store an agent names is not deleted (409)", async () => {
    for (const del of [
      () => orq.tools.delete({ toolId: tools.code.id }),
      () => orq.knowledge.delete({ knowledgeId: kbs.internal.id }),
      () => orq.memoryStores.delete({ memoryStoreKey: "sdk.prefs" }),
    ]) {
      const err = await rejects(del, errors.APIError, 409);
      check(err.body.includes("is used by agents: sdk-user"), `body ${err.body}`);
    }
  });

  await schedules(h);

  await step("deletes once unused; then each is a 404", async () => {
    await orq.agents.delete("sdk-user");
    await orq.tools.delete({ toolId: tools.code.id });
    await orq.knowledge.delete({ knowledgeId: kbs.internal.id });
    await orq.memoryStores.delete({ memoryStoreKey: "sdk.prefs" });
    await rejects(() => orq.tools.retrieve({ toolId: tools.code.id }), errors.APIError, 404);
    await rejects(() => orq.knowledge.delete({ knowledgeId: kbs.internal.id }), errors.APIError, 404);
    await rejects(() => orq.memoryStores.delete({ memoryStoreKey: "sdk.prefs" }), errors.APIError, 404);
  });
}

// schedules drives an agent's schedules.
async function schedules(h) {
  const { orq, step, check, rejects, errors } = h;
  const agentKey = "sdk-scheduled";
  let sched;
  await step("schedules: create, retrieve, list", async () => {
    await orq.agents.create(h.minimal(agentKey));
    sched = await orq.schedules.create({
      agentKey,
      requestBody: { type: "cron", expression: "0 0 9 * * 1", displayName: "Weekly", agentTag: "1.0.0", payload: { input: "Status", variables: { team: "a" } } },
    });
    check(sched.agentKey === agentKey && sched.isActive && sched.generation === 1 && sched.triggerCount === 0 && !sched.lastTriggeredAt,
      `created ${JSON.stringify(sched)}`);
    check(sched.created instanceof Date, `created is ${typeof sched.created}`);
    const got = await orq.schedules.retrieve({ agentKey, scheduleId: sched.id });
    const list = await orq.schedules.list({ agentKey });
    check(got.id === sched.id && list.schedules?.length === 1, `retrieved ${got.id}, listed ${list.schedules?.length}`);
  });

  await step("schedules: refused expression, type, agent and version", async () => {
    const bad = await rejects(() => orq.schedules.create({ agentKey, requestBody: { type: "cron", expression: "0 */5 * * * *", displayName: "x", payload: {} } }),
      errors.CreateAgentScheduleResponseBody, 400);
    check(bad.error.code === "invalid_expression", `code ${bad.error.code}`);
    const ghost = await rejects(() => orq.schedules.create({ agentKey: "ghost", requestBody: { type: "cron", expression: "0 0 * * * *", displayName: "x", payload: {} } }),
      errors.CreateAgentScheduleSchedulesResponseBody, 404);
    check(ghost.error.code === "agent_not_found", `code ${ghost.error.code}`);
    await rejects(() => orq.schedules.update({ agentKey, scheduleId: sched.id, requestBody: { agentTag: "9.9.9" } }),
      errors.UpdateAgentScheduleSchedulesResponseBody, 404);
    await rejects(() => orq.agents.delete(agentKey), errors.APIError, 409);
  });

  await step("schedules: trigger, update, trigger of an inactive one is a 400", async () => {
    const fired = await orq.schedules.trigger({ agentKey, scheduleId: sched.id });
    check(fired.scheduleId === sched.id && fired.status === "triggered", `trigger ${JSON.stringify(fired)}`);
    const counted = await orq.schedules.retrieve({ agentKey, scheduleId: sched.id });
    check(counted.triggerCount === 1 && counted.lastTriggeredAt instanceof Date, `after trigger ${JSON.stringify(counted)}`);
    const payloadOnly = await orq.schedules.update({ agentKey, scheduleId: sched.id, requestBody: { payload: { input: "New" } } });
    const cadence = await orq.schedules.update({ agentKey, scheduleId: sched.id, requestBody: { expression: "0 0 * * * *", isActive: false } });
    check(payloadOnly.generation === 1 && cadence.generation === 2 && cadence.triggerCount === 0 && !cadence.isActive,
      `generations ${payloadOnly.generation} ${cadence.generation}`);
    const err = await rejects(() => orq.schedules.trigger({ agentKey, scheduleId: sched.id }), errors.TriggerAgentScheduleResponseBody, 400);
    check(err.error.code === "schedule_inactive", `code ${err.error.code}`);
  });

  await step("schedules: delete, then retrieve is a 404, and the agent may go", async () => {
    await orq.schedules.delete({ agentKey, scheduleId: sched.id });
    const err = await rejects(() => orq.schedules.retrieve({ agentKey, scheduleId: sched.id }), errors.RetrieveAgentScheduleResponseBody, 404);
    check(err.error.code === "schedule_not_found", `code ${err.error.code}`);
    await rejects(() => orq.schedules.delete({ agentKey, scheduleId: sched.id }), errors.DeleteAgentScheduleResponseBody, 404);
    await orq.agents.delete(agentKey);
  });
}
