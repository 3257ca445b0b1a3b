// The Apple container provider lands here (issue 3).
