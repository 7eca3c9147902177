"""Where each dataset comes from and what its files must contain.

Checksums are SHA-256 of the *decompressed* content: mirrors recompress the
archives, so only the decompressed bytes are comparable across sources.
Download URLs follow torchvision's: the first that answers wins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteFile:
    """One published file: its name (compressed) and the digest of its content."""

    name: str
    sha256: str
    size: int

    @property
    def decompressed_name(self) -> str:
        return self.name.removesuffix(".gz")


@dataclass(frozen=True)
class IdxSource:
    """An MNIST-like dataset published as four gzipped IDX files."""

    mirror_folder: str
    urls: tuple[str, ...]
    train_images: RemoteFile
    train_labels: RemoteFile
    test_images: RemoteFile
    test_labels: RemoteFile

    @property
    def files(self) -> tuple[RemoteFile, ...]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)


SOURCES: dict[str, IdxSource] = {
    "mnist": IdxSource(
        mirror_folder="mnist",
        urls=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ),
        train_images=RemoteFile(
            "train-images-idx3-ubyte.gz",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            47040016,
        ),
        train_labels=RemoteFile(
            "train-labels-idx1-ubyte.gz",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            60008,
        ),
        test_images=RemoteFile(
            "t10k-images-idx3-ubyte.gz",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            7840016,
        ),
        test_labels=RemoteFile(
            "t10k-labels-idx1-ubyte.gz",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            10008,
        ),
    ),
    "fashion_mnist": IdxSource(
        mirror_folder="fashion-mnist",
        urls=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        train_images=RemoteFile(
            "train-images-idx3-ubyte.gz",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            47040016,
        ),
        train_labels=RemoteFile(
            "train-labels-idx1-ubyte.gz",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            60008,
        ),
        test_images=RemoteFile(
            "t10k-images-idx3-ubyte.gz",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            7840016,
        ),
        test_labels=RemoteFile(
            "t10k-labels-idx1-ubyte.gz",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            10008,
        ),
    ),
}


@dataclass(frozen=True)
class CocoImageSource:
    """One COCO 2017 image set: a zip of JPEGs with a known image count.

    COCO publishes no checksums for its zips; a download is verified by the
    zip's own CRC of every member and by the number of images it holds.
    """

    url: str
    images: int


COCO_IMAGE_SETS: dict[str, CocoImageSource] = {
    "val2017": CocoImageSource("http://images.cocodataset.org/zips/val2017.zip", 5000),
    "train2017": CocoImageSource("http://images.cocodataset.org/zips/train2017.zip", 118287),
}


def source(dataset: str) -> IdxSource:
    try:
        return SOURCES[dataset]
    except KeyError:
        raise ValueError(f"unknown dataset {dataset!r}; known: {', '.join(SOURCES)}") from None
