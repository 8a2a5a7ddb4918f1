// Chapter10-Optimizers: the book's chapter 11 (§11.1–11.11, optimization algorithms). Toy
// functions and their traces, every algorithm on the airfoil data from scratch (Scratch.swift,
// `trainCh11`) and concise (Concise.swift, `trainConciseCh11`), learning-rate schedules on
// Fashion-MNIST (LRSchedulers.swift). README.md maps each book section; `--help` lists the options.
import D2L

chapterCommand().run(runChapter)
