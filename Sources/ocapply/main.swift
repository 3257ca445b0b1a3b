import OCCLI

await Entry.ocapply()
