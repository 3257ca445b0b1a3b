import OCCLI
print("ocplan")
