-- Argo CD health check for the kinds of orq.ai/v1alpha1: Agent, Tool, KnowledgeBase, MemoryStore
-- and AgentSchedule. One script serves every kind: it is deploy/argocd/health.lua in the orq
-- operator's repository, copied by `make manifests` to resource_customizations/orq.ai/<Kind>/
-- and into examples/argocd/argocd-cm.yaml.
--
-- The operator reports kstatus-style conditions: Ready (the remote object exists), Synced (it
-- matches the spec), Reconciling (still working), Stalled (cannot progress without a change) and
-- Suspended, plus status.observedGeneration. Argo CD runs this script with only the base, table
-- and package libraries, so it uses no string library functions.
local hs = {}

-- What messages call the remote object of each kind.
local remoteNames = {
  Agent = "orq agent",
  Tool = "orq tool",
  KnowledgeBase = "orq knowledge base",
  MemoryStore = "orq memory store",
  AgentSchedule = "orq schedule",
}

local function findCondition(conditions, conditionType)
  if type(conditions) ~= "table" then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if type(condition) == "table" and condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function isTrue(condition)
  return condition ~= nil and condition.status == "True"
end

-- The condition's message, else the fallback (with the condition's reason when it has one).
local function messageOf(condition, fallback)
  if condition ~= nil and type(condition.message) == "string" and condition.message ~= "" then
    return condition.message
  end
  if condition ~= nil and type(condition.reason) == "string" and condition.reason ~= "" then
    return fallback .. " (" .. condition.reason .. ")"
  end
  return fallback
end

local kind = "object"
if type(obj.kind) == "string" and obj.kind ~= "" then
  kind = obj.kind
end
local remote = remoteNames[kind] or "remote object"
-- A schedule's spec.suspend deactivates it in orq, and the operator keeps syncing it: its
-- conditions are read as any other's, and status.isActive tells whether it runs.
local isSchedule = kind == "AgentSchedule"

local spec = obj.spec
if type(spec) ~= "table" then
  spec = {}
end
local status = obj.status
local conditions = nil
if type(status) == "table" then
  conditions = status.conditions
end

-- spec.suspend of every other kind: the operator makes no calls to orq.ai at all.
if spec.suspend == true and not isSchedule then
  local suspended = findCondition(conditions, "Suspended")
  if not isTrue(suspended) then
    suspended = nil
  end
  hs.status = "Suspended"
  hs.message = messageOf(suspended, "spec.suspend is true: no calls to orq until it is false again")
  return hs
end

if type(status) ~= "table" then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the " .. kind .. "'s status"
  return hs
end

local reconciling = findCondition(conditions, "Reconciling")
if not isTrue(reconciling) then
  reconciling = nil
end

-- The operator has not processed the current spec yet.
local generation = nil
if type(obj.metadata) == "table" then
  generation = obj.metadata.generation
end
local observed = status.observedGeneration
if type(generation) == "number" and (type(observed) ~= "number" or observed < generation) then
  hs.status = "Progressing"
  if reconciling ~= nil then
    hs.message = messageOf(reconciling, "The operator is reconciling the " .. kind)
  else
    hs.message = "Waiting for the operator to process generation " .. tostring(generation) ..
      " (observed: " .. tostring(observed or "none") .. ")"
  end
  return hs
end

-- Temporary trouble (rate limits, API unavailable), a reference or Secret not there yet, or work
-- in progress: the operator retries.
if reconciling ~= nil then
  hs.status = "Progressing"
  hs.message = messageOf(reconciling, "The operator is reconciling the " .. kind)
  return hs
end

-- The operator cannot progress until the spec, the API key or another object changes.
local stalled = findCondition(conditions, "Stalled")
if isTrue(stalled) then
  hs.status = "Degraded"
  hs.message = messageOf(stalled, "The operator cannot make progress with this " .. kind)
  return hs
end

local ready = findCondition(conditions, "Ready")
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end
if ready.status ~= "True" then
  hs.status = "Progressing"
  hs.message = messageOf(ready, "The " .. remote .. " is not ready")
  return hs
end

-- healthy reports a remote object as it should be; a schedule orq reports inactive does not
-- run, and is Suspended, as Argo CD shows a suspended CronJob.
local function healthy(message)
  if isSchedule and status.isActive == false then
    hs.status = "Suspended"
    if spec.suspend == true then
      hs.message = "spec.suspend is true: the orq schedule is inactive and does not run"
    else
      hs.message = "orq reports the schedule inactive: it does not run; " .. message
    end
    return hs
  end
  hs.status = "Healthy"
  hs.message = message
  return hs
end

-- Ready: the remote object exists. Synced says whether it matches the spec.
local synced = findCondition(conditions, "Synced")
if synced == nil or synced.status == "True" then
  return healthy(messageOf(ready, "The " .. remote .. " exists and matches the spec"))
end
if synced.status == "False" and synced.reason == "Drifted" and spec.managementPolicy == "Observe" then
  -- Expected under Observe: the operator only reports the difference, it never writes to orq.
  return healthy(messageOf(synced, "managementPolicy Observe: the " .. remote .. " differs from the spec") ..
    " (only observed: the operator does not change the " .. remote .. ")")
end
if synced.status == "False" and synced.reason == "NotConverging" then
  hs.status = "Degraded"
  hs.message = messageOf(synced, "orq.ai keeps the " .. remote .. " different from the spec after an update")
  return hs
end
hs.status = "Progressing"
hs.message = messageOf(synced, "Waiting for the " .. remote .. " to match the spec")
return hs
