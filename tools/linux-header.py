#!/usr/bin/python3
"""Writes a file that starts with a RISC-V Linux boot image header (Linux's
Documentation/riscv/boot-image-header.rst) with the given text_offset and image_size, padded
with zeros to the given file size: crafted Images for the monitor's tests.

    linux-header.py OUT TEXT_OFFSET IMAGE_SIZE FILE_SIZE    (numbers in any Python base)
"""
import struct
import sys

MAGIC = 0x5643534952  # "RISCV\0\0\0"
MAGIC2 = 0x05435352   # "RSC\x05"
VERSION = 2           # 0.2


def header(text_offset, image_size):
    # code0 jumps over the header (j +64), as Linux's own does.
    return struct.pack("<IIQQQIIQQII", 0x0400006f, 0, text_offset, image_size, 0, VERSION, 0,
                       0, MAGIC, MAGIC2, 0)


def main():
    out, text_offset, image_size, file_size = sys.argv[1], *(int(a, 0) for a in sys.argv[2:5])
    data = header(text_offset, image_size)
    with open(out, "wb") as f:
        f.write(data + bytes(max(file_size - len(data), 0)))


if __name__ == "__main__":
    main()
