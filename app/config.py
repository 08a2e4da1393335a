"""All limits and knobs of the server, in one pydantic-settings class (env prefix POINTWISE_)."""

from functools import lru_cache
from pathlib import Path
import tempfile

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
TEMPLATES_DIR = ROOT / "templates"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POINTWISE_", frozen=True)

    host: str = "127.0.0.1"  # the Docker image sets 0.0.0.0 so that students on the LAN can reach it
    port: int = 8000
    workers: int = 1  # uvicorn worker processes; uploads are shared through store_dir
    device: str = "auto"  # "auto" (CUDA → MPS → CPU), or a torch device string such as "cpu"
    torch_threads: int = 0  # 0 keeps torch's own choice
    # Heavy requests (mix, cost, upload decode, export, reduce, block) running at once in one worker;
    # the rest wait their turn. One a worker: the largest allowed mix or a 16 MP WebP decode takes
    # ~270 MB over a ~380 MB worker, so two workers stay under 1.5 GB (benchmarks/hostile.py), and
    # with one torch thread a worker cannot run two jobs faster than one after the other anyway.
    compute_slots: int = 1
    compute_queue: int = 32  # heavy requests waiting for a compute slot per worker; past it: 503
    train_slots: int = 1  # /api/learn runs at once in one worker (training takes seconds)
    train_queue: int = 4
    retry_after_s: int = 5  # the Retry-After of a 503 (queue full) answer
    max_header_bytes: int = 64 * 1024  # request line and headers together; past it: 431
    # Connections and requests at once per worker (uvicorn's limit_concurrency); past it: 503.
    max_connections: int = 256
    head_timeout_s: float = 10  # a request head not complete this long after it began: 408, closed
    body_timeout_s: float = 10  # a request body whose next part does not arrive within this: 408
    keep_alive_s: float = 5  # an idle kept-alive connection is closed after this
    # A heavy answer is handed to the transport in parts of this size, so that a slow reader makes
    # the transport hold one part rather than the whole answer (up to max_answer_bytes).
    send_chunk_bytes: int = 256 * 1024
    send_stall_s: float = 10  # a reader that takes no part of an answer (or event) this long is dropped
    # The kernel's send buffer of a connection (SO_SNDBUF; Linux doubles it). Left to itself it grows
    # to 4 MB, which a training stream nobody reads filled for 11 s before the stall was noticed.
    send_buffer_bytes: int = 128 * 1024

    max_upload_bytes: int = 10 * 1024 * 1024
    max_weights_bytes: int = 16 * 1024 * 1024  # an uploaded state dict: a 512-wide block is about 12 MB
    # What an uploaded state dict's tensors may hold once read, from the sizes its file declares
    # (a .pt's zip entries may be deflated: 1.5 MB can declare 1.5 GB), checked before reading it.
    max_state_dict_bytes: int = 32 * 1024 * 1024
    # The largest |value| of an uploaded state dict: trained weights are far smaller, and past it a
    # block's float32 stages overflow to infinity within a few layers.
    max_weight_abs: float = 1e6
    max_upload_pixels: int = 16_000_000  # checked from the header, before decoding
    # Scans of a progressive JPEG, counted before decoding: each is a pass over every block, and
    # thousands of near-empty ones in 1.2 MB held a worker for 58–71 s. Encoders write about 10.
    max_jpeg_scans: int = 64
    max_body_bytes: int = 2 * 1024 * 1024  # every JSON body
    # A refusal's body: it names the field and the limit, and never grows with the input.
    max_error_bytes: int = 16 * 1024
    max_side: int = 512  # images are stored and mixed at most this large
    max_in_channels: int = 64
    max_out_channels: int = 64
    max_work: int = 64 * 64 * 512 * 512  # Cin·Cout·H·W of one mix
    max_json_values: int = 1_048_576  # the "json" encoding is for small tensors
    max_answer_bytes: int = 40_000_000  # one answer's maps, as encoded (base64 float32 ≈ 5.3 bytes a value)
    max_cost_channels: int = 8192  # channels in a cost count (modules on the meta device: no memory)
    max_cost_side: int = 4096
    max_sweep_points: int = 1024
    max_cost_stride: int = 8
    max_hidden: int = 64  # hidden width of a two-layer model on /api/learn
    max_train_steps: int = 5_000  # steps of one training run
    max_train_pixel_steps: int = 4_000 * 128 * 128  # steps × H·W of one training run
    max_train_work: int = 2_000 * 128 * 128 * 2_048  # steps × H·W × weights (Cin·Cout, or Cin·h + h·Cout)
    # The maps an export inlines (u8 in base64), estimated before any work; its trainings together
    # are held to one run's max_train_pixel_steps and max_train_work.
    max_export_bytes: int = 8 * 1024 * 1024
    max_progress_events: int = 1_000  # progress events of one run (steps / every)
    max_block_channels: int = 512  # every width of a block on /api/block (and a random input's channels there)
    max_block_work: int = 4_000_000_000  # multiply–adds of one block run

    store_dir: Path = Path(tempfile.gettempdir()) / "pointwise-images"
    store_items: int = 256  # decoded images kept (and state dicts, apart); past it the biggest holder's oldest go
    # Items one address holds in a store; past it that address's own least recently used go, never
    # another's (one address filled the store in 1.6 s and evicted the class's uploads). 0: no quota.
    store_items_per_address: int = 32
    uploads_per_minute: int = 20  # new images one client (peer address) may store per minute; past it: 429
    feature_cache_bytes: int = 64 * 1024 * 1024  # image channels kept per worker, by the bytes they hold

    embed_origins: str = "*"  # frame-ancestors for /embed/ routes

    # The Mixer's live camera (WebSocket /api/live): streams open at once per worker (one per client
    # address), a frame's longer side, and frames a second one stream may send.
    live_streams: int = 4
    live_max_side: int = 256
    live_max_fps: int = 60


@lru_cache
def get_settings() -> Settings:
    return Settings()
