-- wrk script for the written test's "answer item -> next item" round trip.
--
-- Run with -tN -cN (one connection per thread): each thread is one candidate at a time,
-- with its own session cookie and attempt. WRK_CANDIDATES names a file of lines
--   <thread number 1..N> <session cookie> <attempt id> <csrf token> <sequence>
-- (written by benchmarks/throughput.py). The thread answers its current candidate's item
-- (htmx POST, like static/js/written.js), reads the next item's sequence and CSRF token
-- from the returned fragment, and answers that one; when the attempt finishes (HX-Redirect
-- to the end page) it moves on to its next candidate.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
report_threads = {}
report_counters = { "answered", "finished", "conflicts", "unparsed", "exhausted" }
dofile(here .. "wrk_report.lua")

local ua = os.getenv("WRK_UA") or "cloe-bench"
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(report_threads, thread)
end

function init(args)
  cands = {}
  local f = assert(io.open(os.getenv("WRK_CANDIDATES"), "r"))
  for line in f:lines() do
    local t, cookie, attempt, token, seq = line:match("^(%d+) (%S+) (%d+) (%S+) (%d+)$")
    if t and tonumber(t) == tid then
      table.insert(cands, { cookie = "session=" .. cookie, token = token, seq = seq,
                            path = "/ecrit/tentative/" .. attempt .. "/reponse" })
    end
  end
  f:close()
  idx = 1
  answered, finished, conflicts, unparsed, exhausted = 0, 0, 0, 0, 0
end

function request()
  local c = cands[idx]
  if c == nil then
    -- Out of fresh attempts: keep the last one (answers are refused with 409/redirect).
    exhausted = exhausted + 1
    c = cands[#cands]
  end
  -- An answer for every item type: mcq/listening (choice), gap items (gap-N); the others
  -- ignore what they do not use.
  local body = "csrf_token=" .. c.token .. "&sequence=" .. c.seq ..
               "&timer=0&choice=1&gap-0=the&gap-1=of&gap-2=to"
  return wrk.format("POST", c.path, {
    ["Cookie"] = c.cookie, ["HX-Request"] = "true", ["X-CSRFToken"] = c.token,
    ["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = ua,
  }, body)
end

function response(status, headers, body)
  local c = cands[idx]
  if c == nil then return end
  if status == 409 then conflicts = conflicts + 1 end
  local seq = body:match('name="sequence" value="(%d+)"')
  local token = body:match('name="csrf_token" value="([^"]+)"')
  if seq and token then
    if status == 200 then answered = answered + 1 end
    c.seq, c.token = seq, token
  elseif headers["HX-Redirect"] or headers["hx-redirect"] then
    answered = answered + 1
    finished = finished + 1
    idx = idx + 1
  else
    unparsed = unparsed + 1
  end
end
