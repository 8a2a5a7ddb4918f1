// Chapter02-LinearRegression: the book's §3.1–3.3 (linear regression): the vectorisation timing
// and normal-distribution figure of §3.1 (Vectorization.swift), then training from scratch
// (§3.2, Scratch.swift) and concisely (§3.3, Concise.swift). `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
