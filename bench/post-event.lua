-- wrk script: posts one event per request with the key from SIKO_KEY (no externalId, so each is new).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("SIKO_KEY")
wrk.body = '{"topic":"razzia","urgency":"high","areas":["essen"],"title":"Großkontrolle Altendorfer Straße","body":"Gemeinsame Kontrolle von Ordnungsamt, Polizei und Zoll ab 20:00 Uhr."}'
