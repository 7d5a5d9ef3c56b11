"""TensorBoard event files for a run folder, beside its PNGs (optional: `pip install tinygan[logs]`,
which brings tensorboardX). `tensorboard --logdir runs/` then shows every run folder under runs/.

What a run logs: every step's losses (`loss/loss_d`, `loss/total`, ...), every evaluation's
scalar metrics (`eval/modes`, `eval/fd`, `eval/offdiag_norm`, ...) and pictures as images: a GAN's
samples.png / classes.png at each evaluation, a VAE's reconstructions and latent traversals.

How it is written. Events are kept in memory and written out as a new event file at each
checkpoint, at an evaluation when FLUSH_SECONDS have passed since the last file, and when the run
stops (finished, interrupted or diverged). Each file goes through tinygan.files.atomic_open like
every other file of a run, so a kill leaves it whole or absent, and TensorBoard never reads half a
record. Names sort in step order: events.out.tfevents.<first step, 10 digits>.<time ns>.tinygan.

Resume without duplicate steps: a resumed run continues from its checkpoint at step S, so any
event past S (logged after that checkpoint, before the kill) will be logged again. `RunLog.begin`
therefore trims every event with step > S out of the run's event files (rewriting them atomically)
and then logs tensorboardX's purge marker (a SessionLog START event at step S + 1, what
`SummaryWriter(purge_step=S + 1)` writes), so a TensorBoard that had already read the trimmed
events drops them too. `read` gives the curves back with the same purge rule (tests use it).
"""
import functools
import os
import struct
import time
import types
import zlib

from tinygan import files

PREFIX = "events.out.tfevents."          # the name TensorBoard looks for (rundir.EVENTS_PREFIX)
SUFFIX = ".tinygan"
FLUSH_SECONDS = 30.0


def available():
    """Whether tensorboardX can be imported (what `--tensorboard` defaults to)."""
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        return False
    return True


def add_flag(parser):
    """`--tensorboard / --no-tensorboard` on a command that trains (default: on when installed)."""
    import argparse
    parser.add_argument("--tensorboard", action=argparse.BooleanOptionalAction, default=None,
                        help="write TensorBoard event files into the run folder (default: on when tensorboardX "
                             "is installed: pip install 'tinygan[logs]')")


def run_log(out, enabled=None):
    """The logger `training.fit` writes through: a RunLog for folder `out`, or NO_LOG. enabled None:
    on when tensorboardX is installed; True without it: one line saying what to install."""
    if enabled is None:
        enabled = available()
    elif enabled and not available():
        raise ValueError("--tensorboard needs tensorboardX: pip install 'tinygan[logs]' (or add --no-tensorboard)")
    return RunLog(out) if enabled else NO_LOG


class NoLog:
    """What fit logs to when TensorBoard is off: nothing."""
    enabled = False

    def begin(self, step, resumed):
        pass

    def scalars(self, step, values, prefix):
        pass

    def image(self, tag, step, png):
        pass

    def picture_files(self, step, folder, names):
        pass

    def gray_images(self, step, images):
        pass

    def flush(self, when_due=False):
        pass

    def close(self, quiet=False):
        pass


NO_LOG = NoLog()


class RunLog(NoLog):
    enabled = True

    def __init__(self, out):
        self.out = os.fspath(out)
        self.pending = []                 # Event protos not yet written
        self.last_flush = time.monotonic()
        self.logged_files = {}            # picture name -> (mtime_ns, size) last logged

    # ---- what fit and the trainers call ----------------------------------------------------
    def begin(self, step, resumed):
        """Called by fit once the folder is locked (and a resumed run restored at `step`)."""
        if resumed:
            trim(self.out, step)
            pb = _protos()
            self.pending.append(pb.Event(wall_time=time.time(), step=step + 1,
                                         session_log=pb.SessionLog(status=pb.SessionLog.START)))

    def scalars(self, step, values, prefix):
        """One event holding every number in `values` as `prefix/key` (lists, bools, strings skipped)."""
        pb = _protos()
        items = [pb.Summary.Value(tag=f"{prefix}/{k}", simple_value=float(v)) for k, v in values.items()
                 if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "step"]
        if items:
            self.pending.append(pb.Event(wall_time=time.time(), step=step, summary=pb.Summary(value=items)))

    def image(self, tag, step, png):
        """A PNG (bytes) as an image summary."""
        pb = _protos()
        width, height, channels = png_size(png)
        picture = pb.Summary.Image(height=height, width=width, colorspace=channels, encoded_image_string=png)
        self.pending.append(pb.Event(wall_time=time.time(), step=step,
                                     summary=pb.Summary(value=[pb.Summary.Value(tag=tag, image=picture)])))

    def picture_files(self, step, folder, names):
        """The run's pictures (samples.png, ...) that changed since they were last logged; tag = name."""
        for name in names:
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                continue
            stamp = (stat.st_mtime_ns, stat.st_size)
            if self.logged_files.get(name) != stamp:
                with open(path, "rb") as f:
                    self.image(os.path.splitext(name)[0], step, f.read())
                self.logged_files[name] = stamp

    def gray_images(self, step, images):
        """{tag: 2-D array in [0, 1]} as grayscale images (drawn without matplotlib)."""
        for tag, array in images.items():
            self.image(tag, step, gray_png(array))

    def flush(self, when_due=False):
        """Write the pending events as one new event file (when_due: only if FLUSH_SECONDS passed)."""
        if not self.pending or (when_due and time.monotonic() - self.last_flush < FLUSH_SECONDS):
            return
        first = min(e.step for e in self.pending)
        path = os.path.join(self.out, f"{PREFIX}{first:010d}.{time.time_ns()}{SUFFIX}")
        _write_events(path, self.pending)
        self.pending = []
        self.last_flush = time.monotonic()

    def close(self, quiet=False):
        """Write what is left; quiet: while another error is on its way out, never raise a second."""
        try:
            self.flush()
        except OSError:
            if not quiet:
                raise


# ---- files -------------------------------------------------------------------------------------
def event_files(folder):
    """The event files in `folder`, in the order TensorBoard reads them (by name)."""
    if not os.path.isdir(folder):
        return []
    return [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.startswith(PREFIX)]


def trim(folder, step):
    """Drop every event with step > `step` from the event files of `folder` (atomic rewrites; a file
    left with its header only is removed). Returns how many events were dropped."""
    dropped = 0
    for path in event_files(folder):
        events = list(read_file(path))
        keep = [e for e in events if e.step <= step or e.HasField("file_version")]
        if len(keep) == len(events):
            continue
        dropped += len(events) - len(keep)
        if all(e.HasField("file_version") for e in keep):
            os.remove(path)
        else:
            _write_events(path, [e for e in keep if not e.HasField("file_version")])
    return dropped


def _write_events(path, events):
    pb = _protos()
    header = pb.Event(wall_time=time.time(), step=0, file_version="brain.Event:2")
    with files.atomic_open(path) as f:
        for event in [header] + list(events):
            f.write(_record(event.SerializeToString()))


def _record(data):
    """TFRecord framing: length, its masked CRC32C, the data, its masked CRC32C."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", _masked_crc(length)) + data + struct.pack("<I", _masked_crc(data))


def _masked_crc(data):
    from tensorboardX.crc32c import crc32c
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_file(path):
    """Every Event in one event file, checking each record's CRCs (ValueError on a corrupt one)."""
    pb = _protos()
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        if len(data) - at < 12:
            raise ValueError(f"{path}: truncated record at byte {at}")
        length_bytes = data[at:at + 8]
        (length,), (crc,) = struct.unpack("<Q", length_bytes), struct.unpack("<I", data[at + 8:at + 12])
        body = data[at + 12:at + 12 + length]
        end = at + 12 + length + 4
        if crc != _masked_crc(length_bytes) or end > len(data) or \
                struct.unpack("<I", data[end - 4:end])[0] != _masked_crc(body):
            raise ValueError(f"{path}: bad record at byte {at}")
        event = pb.Event()
        event.ParseFromString(body)
        yield event
        at = end


def read(folder):
    """{tag: [(step, value), ...]} over the event files of `folder`, as TensorBoard shows them: a
    SessionLog START at step s drops what was read before with step >= s. Scalars are floats,
    images their encoded PNG bytes."""
    pb = _protos()
    curves = {}
    for path in event_files(folder):
        for event in read_file(path):
            if event.HasField("session_log") and event.session_log.status == pb.SessionLog.START:
                curves = {tag: [p for p in points if p[0] < event.step] for tag, points in curves.items()}
            for value in event.summary.value:
                kind = value.WhichOneof("value")
                item = value.simple_value if kind == "simple_value" else value.image.encoded_image_string
                curves.setdefault(value.tag, []).append((event.step, item))
    return curves


# ---- pictures ----------------------------------------------------------------------------------
def png_size(png):
    """(width, height, channels) from a PNG's IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    width, height, _, color = struct.unpack(">IIBB", png[16:26])
    return width, height, {0: 1, 4: 2, 2: 3, 6: 4}.get(color, 3)


def gray_png(array):
    """A 2-D array of values in [0, 1] as an 8-bit grayscale PNG (zlib; no imaging library)."""
    import numpy as np
    pixels = (np.clip(np.asarray(array, dtype=np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)
    height, width = pixels.shape
    raw = b"".join(b"\x00" + row.tobytes() for row in pixels)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def grid(images, columns):
    """(N, H, W) values in [0, 1] -> one 2-D picture, `columns` per row, 1-pixel white gaps."""
    import numpy as np
    n, h, w = images.shape
    rows = -(-n // columns)
    out = np.ones((rows * (h + 1) - 1, columns * (w + 1) - 1))
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = image
    return out


@functools.lru_cache(maxsize=None)
def _protos():
    """tensorboardX's Event / SessionLog / Summary protobuf classes, imported on first use."""
    from tensorboardX.proto import event_pb2, summary_pb2
    return types.SimpleNamespace(Event=event_pb2.Event, SessionLog=event_pb2.SessionLog, Summary=summary_pb2.Summary)
