-- A cross-origin GET from the origin the bench server's policy allows.
wrk.method = "GET"
wrk.headers["Origin"] = "http://localhost:3000"
