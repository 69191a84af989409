-- Mixed signed-in load for bench/soak: each request is one of the pages an advocate,
-- an intake worker or a manager opens most, in turn, with the session of the role that
-- may open it, so the server does the work of a busy day rather than one page over and
-- over. bench/soak passes the sessions and the first case through the environment.
local pages = {
  { path = "/cases", cookie = os.getenv("SOAK_ADVOCATE") },
  { path = "/cases/" .. (os.getenv("SOAK_CASE") or "1"), cookie = os.getenv("SOAK_ADVOCATE") },
  { path = "/", cookie = os.getenv("SOAK_ADVOCATE") },
  { path = "/referrals", cookie = os.getenv("SOAK_INTAKE") },
  { path = "/waiting-list", cookie = os.getenv("SOAK_INTAKE") },
  { path = "/people?q=Thorn", cookie = os.getenv("SOAK_MANAGER") },
  { path = "/", cookie = os.getenv("SOAK_MANAGER") },
  { path = "/healthz", cookie = "" },
}
local next_page = 0

function request()
  next_page = next_page % #pages + 1
  local page = pages[next_page]
  local headers = {}
  if page.cookie and page.cookie ~= "" then
    headers["Cookie"] = page.cookie
  end
  return wrk.format("GET", page.path, headers)
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
