-- wrk script for the Prevent Toolkit load benchmark (driven by bench/run.sh).
--
-- The scenario comes from the environment (PK_BENCH_SCENARIO), because wrk decides whether a
-- script reads response bodies before it passes the script any arguments:
--   list  GET  .../assessments/{a}/responses             (every answer of one assessment)
--   get   GET  .../assessments/{a}/responses/{question}  (one answer; questions in turn)
--   put   PUT  .../assessments/{a}/responses/{question}  (change one rating)
-- Arguments after `--`: the seed's Lua file, then for `put` the index of the first target
-- (in the seed's `targets`) that this run's threads use; thread N uses that index + N - 1.
--
-- Updates are always valid edits. Each wrk thread owns a different partnership's draft
-- assessment (with that partnership's token), and within it each question is a slot with its
-- own version. A request takes a slot no other connection has in flight and sends that
-- slot's version; the answer names the question and carries the new version, which frees the
-- slot. No two requests race on one answer, so a 409 would show a real fault.

local scenario = os.getenv("PK_BENCH_SCENARIO") or "list"
local threads = {}
local started = 0

function setup(thread)
   started = started + 1
   thread:set("tid", started)
   table.insert(threads, thread)
end

local seed, base, headers, list_request
local questions = {}
local cursor = 0
local slots = {}
local sent = 0
non2xx = 0

local details_text = "Reviewed by the partnership board this quarter. Most partners apply the "
   .. "agreed approach and records show it; two smaller organisations still rely on informal "
   .. "arrangements, which the action plan addresses before the next review."

function init(args)
   seed = dofile(args[1])
   local index = 1
   if scenario == "put" then
      index = tonumber(args[2]) + tid - 1
   end
   local target = seed.targets[index]
   assert(target, "the seed has no target " .. index)
   base = "/api/v1/partnerships/" .. target.partnership .. "/assessments/" .. target.assessment
      .. "/responses"
   headers = {
      ["Authorization"] = "Bearer " .. target.token,
      ["Accept"] = "application/json",
   }
   if scenario == "put" then
      headers["Content-Type"] = "application/json"
   end
   questions = seed.questions
   for i, q in ipairs(questions) do
      slots[q] = { version = seed.version, busy = false, index = i }
   end
end

local function get_request()
   cursor = cursor % #questions + 1
   return wrk.format("GET", base .. "/" .. questions[cursor], headers)
end

local function put_request()
   -- The next slot not in flight; if every slot is in flight (only after lost answers), the
   -- next one in turn.
   local q
   for _ = 1, #questions do
      cursor = cursor % #questions + 1
      if not slots[questions[cursor]].busy then
         q = questions[cursor]
         break
      end
   end
   if q == nil then
      cursor = cursor % #questions + 1
      q = questions[cursor]
   end
   local slot = slots[q]
   slot.busy = true
   sent = sent + 1
   local rating = seed.ratings[(sent + slot.index) % #seed.ratings + 1]
   local body = string.format('{"rating":"%s","details":"%s (%d)","version":%d}',
      rating, details_text, sent, slot.version)
   return wrk.format("PUT", base .. "/" .. q, headers, body)
end

function request()
   if scenario == "put" then
      return put_request()
   elseif scenario == "get" then
      return get_request()
   end
   if list_request == nil then
      list_request = wrk.format("GET", base, headers)
   end
   return list_request
end

if scenario == "put" then
   -- Only the update scenario reads bodies: wrk copies every body into Lua when a script
   -- defines `response`, which would load the client during the read scenarios.
   function response(status, _, body)
      if status < 200 or status > 299 then
         non2xx = non2xx + 1
      end
      -- A saved answer and a stale-edit refusal both carry the question and its version.
      local q = body:match('"question":"([^"]+)"')
      local v = body:match('"version":(%d+)')
      local slot = q and slots[q]
      if slot then
         if v then
            slot.version = tonumber(v)
         end
         slot.busy = false
      end
   end
end

function done(summary, latency, _)
   local e = summary.errors
   -- Reads count status errors as wrk does (400 and above); updates count every non-2xx.
   local status_errors = e.status
   if scenario == "put" then
      status_errors = 0
      for _, t in ipairs(threads) do
         status_errors = status_errors + (tonumber(t:get("non2xx")) or 0)
      end
   end
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
         .. "status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      status_errors, e.connect, e.read, e.write, e.timeout))
end
