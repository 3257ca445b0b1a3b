import OCCore
