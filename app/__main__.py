"""`python -m app serve` runs Pointwise with uvicorn, configured from the settings (POINTWISE_* variables);
`python -m app export --out DIR [--lang zh]` writes every lesson figure as a standalone HTML file, and an
index, in English or Chinese.
"""

import argparse
from pathlib import Path
import socket

import uvicorn

from app.config import get_settings
from app.pages.templating import LANGUAGES
from app.protocols import BoundedHttpToolsProtocol


def lan_addresses() -> list[str]:
    """This host's IPv4 addresses other than loopback, as far as its own name resolves them."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({info[4][0] for info in infos if not info[4][0].startswith("127.")})


def serve() -> None:
    settings = get_settings()
    print(f"Pointwise on http://127.0.0.1:{settings.port}/ ({settings.workers} worker(s))", flush=True)
    if settings.host in ("0.0.0.0", "::"):
        for address in lan_addresses():
            print(f"  students on this network: http://{address}:{settings.port}/", flush=True)
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        http=BoundedHttpToolsProtocol,  # 431 past max_header_bytes, 408 past head_timeout_s; JSON 400s
        limit_concurrency=settings.max_connections,  # per worker: a 503 past it, not a worker out of sockets
        timeout_keep_alive=settings.keep_alive_s,
    )


def export(out: Path, lang: str) -> None:
    from app.pages.lesson import export_lesson

    for path in export_lesson(out, get_settings(), lang):
        print(path, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the app (host, port, workers from POINTWISE_* variables)")
    exporting = commands.add_parser("export", help="write every lesson figure as a standalone HTML file")
    exporting.add_argument("--out", type=Path, required=True, help="the folder to write into")
    exporting.add_argument("--lang", choices=LANGUAGES, default="en", help="the files' language (default: en)")
    arguments = parser.parse_args()
    if arguments.command == "export":
        export(arguments.out, arguments.lang)
    else:
        serve()


if __name__ == "__main__":
    main()
