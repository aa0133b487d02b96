"""A Socket.IO server on 127.0.0.1 (python-socketio on aiohttp) for the gateway's Socket.IO suite.

Its own CORS handling is off (`cors_allowed_origins=[]`): the gateway in front of it applies the
policy. `echo` answers with what it was sent (an ack) and emits it back as `echo`. Prints
`listening on http://127.0.0.1:PORT` once it accepts connections.
"""
import asyncio
import sys

import socketio
from aiohttp import web

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])
app = web.Application()
sio.attach(app)


@sio.event
async def echo(sid, data):
    await sio.emit("echo", data, to=sid)
    return data


async def main() -> None:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
