-- wrk script: POSTs the AdmissionReview bodies named in WRK_BODIES (space-separated
-- files), alternating between them, with Content-Type application/json.
local bodies = {}
for path in string.gmatch(os.getenv("WRK_BODIES") or "", "%S+") do
  local f = assert(io.open(path, "rb"))
  bodies[#bodies + 1] = f:read("*a")
  f:close()
end
assert(#bodies > 0, "set WRK_BODIES to the body files")

local requests = {}
init = function(args)
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
  end
end

local n = 0
request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end
