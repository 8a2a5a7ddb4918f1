// Chapter09-Transformer: the book's §10.7 (the Transformer) on fra-eng, the pre-/post-LayerNorm
// exercise, and the Vision Transformer ("Transformers for vision") on Fashion-MNIST. Scratch.swift
// holds the book's blocks from primitives, Concise.swift the library versions. `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
