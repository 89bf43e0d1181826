-- wrk script: posts one event per request with the key from SIKO_KEY. No externalId, and a title of
-- its own per request, so each is a new event that the duplicate policy lets through.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SIKO_KEY")

local prefix
local counter = 0

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  prefix = tostring(math.random(1, 2147483647))
end

function request()
  counter = counter + 1
  local body = '{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Großkontrolle ' .. prefix .. '-' .. counter
    .. '","body":"Gemeinsame Kontrolle von Ordnungsamt, Polizei und Zoll ab 20:00 Uhr."}'
  return wrk.format(nil, nil, nil, body)
end
