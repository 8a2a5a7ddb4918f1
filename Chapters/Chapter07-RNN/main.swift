// Chapter07-RNN: the book's chapter 8 (recurrent neural networks, §8.5–8.6) and §9.1–9.4 of
// chapter 9 (GRU, LSTM, deep and bidirectional RNNs): character-level language models of
// The Time Machine, from scratch (Scratch.swift, Gated.swift) and concise (Concise.swift),
// trained with trainCh8. `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
