// Chapter08-Attention: the book's chapter 10 (attention mechanisms) §10.1–10.3, §10.5–10.6:
// attention cues, Nadaraya–Watson kernel regression, scoring functions, multi-head attention,
// self-attention and positional encoding. Scratch.swift holds the book's code from primitives,
// Concise.swift the library versions. `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
