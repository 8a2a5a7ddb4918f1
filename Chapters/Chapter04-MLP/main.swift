// Chapter04-MLP: the book's chapter 4 (multilayer perceptrons): activation functions (§4.1,
// Activations.swift), the MLP from scratch and concisely (§4.2–4.3, Scratch.swift / Concise.swift),
// under- and overfitting (§4.4, Polynomial.swift), weight decay (§4.5, WeightDecay.swift) and
// dropout (§4.6). By default the MLP section runs; `--help` lists the sections and options.
import D2L

chapterCommand().run(runChapter)
