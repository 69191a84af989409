-- One request, repeated: bench/run passes the method, body, content type and the
-- signed-in session through the environment, so a workload that repeats one request
-- needs a line in bench/run's table and no script of its own.
wrk.method = os.getenv("BENCH_METHOD") or "GET"

local body_file = os.getenv("BENCH_BODY_FILE") or ""
if body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  -- The trailing newline of the data file is not part of the request.
  wrk.body = (file:read("*a"):gsub("%s+$", ""))
  file:close()
end

local content_type = os.getenv("BENCH_CONTENT_TYPE") or ""
if content_type ~= "" then
  wrk.headers["Content-Type"] = content_type
end

-- The server refuses a form posted from another site; a browser names its own.
local origin = os.getenv("BENCH_ORIGIN") or ""
if origin ~= "" and wrk.method == "POST" then
  wrk.headers["Origin"] = origin
end

local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
