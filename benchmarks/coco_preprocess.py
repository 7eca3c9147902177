"""Throughput of COCO preprocessing: aelab's path against the obvious one, side by side.

Reference ("obvious"): full-resolution Pillow decode, torchvision Resize(shorter
side) + CenterCrop, one image after another. aelab: libjpeg DCT-domain
downscaling while decoding (Image.draft) + ImageOps.fit, in a thread pool.
Both read the same JPEGs (the mirror's COCO folders by default, cycled to
--images files) in interleaved rounds; the page cache is warm for both.

    python benchmarks/coco_preprocess.py [--mirror ../shared/datasets] [--images 1000] [--threads 2]
"""

from __future__ import annotations

import argparse
import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image
from torchvision.transforms import v2

from aelab.data.coco import load_image

SIZE = 64


def obvious(path: Path) -> np.ndarray:
    transform = v2.Compose([v2.PILToTensor(), v2.Resize(SIZE, antialias=True), v2.CenterCrop(SIZE)])
    with Image.open(path) as image:
        return transform(image.convert("RGB")).numpy()


def run_obvious(files: list[Path], threads: int) -> None:
    for path in files:
        obvious(path)


def run_aelab(files: list[Path], threads: int) -> None:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda path: load_image(path, SIZE, grey=False), files))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    jpegs = sorted((args.mirror / "coco").glob("*/*.jpg"))
    if not jpegs:
        parser.error(f"no JPEGs under {args.mirror / 'coco'}")
    files = list(itertools.islice(itertools.cycle(jpegs), args.images))
    timings: dict[str, list[float]] = {"obvious (1 thread)": [], f"aelab ({args.threads} threads)": []}
    for _ in range(args.rounds):  # interleaved, so drift in machine load hits both alike
        for samples, runner in zip(timings.values(), (run_obvious, run_aelab), strict=True):
            started = time.perf_counter()
            runner(files, args.threads)
            samples.append(time.perf_counter() - started)
    print(f"{len(files)} JPEGs ({len(jpegs)} distinct) -> {SIZE}x{SIZE} RGB, best of {args.rounds} rounds")
    best = {name: min(samples) for name, samples in timings.items()}
    reference = best["obvious (1 thread)"]
    for name, seconds in best.items():
        rate = len(files) / seconds
        print(
            f"  {name:22s} {rate:8.0f} images/s   5,000 images in {5000 / rate:6.1f} s"
            f"   speed-up x{reference / seconds:.2f}"
        )


if __name__ == "__main__":
    main()
