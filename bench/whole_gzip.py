"""``python -m bench.whole_gzip [--pages N]``: what a WARC gzipped as one stream costs the reader.

Builds one WARC of N pages twice, with a gzip member per record (as the standards ask) and as one
gzip stream (`gzip file.warc`), and times, beside warcio's own iterator over the per-record file
(the reference): reading every record, and reading the last capture back at its recorded place.
In a one-stream file a capture's offset counts in the decompressed stream, so reading it back
decompresses everything before it. Prints one JSON object. Builds in a temporary folder, no network.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import tempfile
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import iter_records, read_record_at


def build(folder: Path, pages: int) -> tuple[Path, Path]:
    rnd = random.Random(13)
    words = [f"word{i}" for i in range(5000)]
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False, warc_version="1.1")
    for i in range(pages):
        body = ("<html><body>" + " ".join(rnd.choice(words) for _ in range(3000)) + "</body></html>").encode()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"http://127.0.0.1/page/{i}", "response",
                                                      payload=io.BytesIO(body), length=len(body),
                                                      http_headers=http))
    plain = buf.getvalue()
    per_record = folder / "per-record.warc.gz"
    with open(per_record, "wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.1")
        for rec in ArchiveIterator(io.BytesIO(plain)):
            rec.raw_stream = io.BytesIO(rec.raw_stream.read())
            rec.length = None
            w.write_record(rec)
    stream = folder / "one-stream.warc.gz"
    stream.write_bytes(gzip.compress(plain, 6))
    return per_record, stream


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="deeply-bench-gzip-") as tmp:
        per_record, stream = build(Path(tmp), args.pages)

        def warcio_reads():
            with open(per_record, "rb") as fh:
                for rec in ArchiveIterator(fh):
                    rec.raw_stream.read()

        out = {"pages": args.pages, "bytes_per_record": per_record.stat().st_size,
               "bytes_one_stream": stream.stat().st_size,
               "warcio_read_all_s": timed(warcio_reads)}
        for name, path in (("per_record", per_record), ("one_stream", stream)):
            records = list(iter_records(path))
            out[f"{name}_read_all_s"] = timed(lambda p=path: list(iter_records(p)))
            last = records[-1]
            out[f"{name}_read_last_s"] = timed(lambda p=path, r=last: read_record_at(p, r.offset, r.length))
        out["read_last_ratio"] = out["one_stream_read_last_s"] / out["per_record_read_last_s"]
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
