import OCCLI

await Entry.ocplan()
