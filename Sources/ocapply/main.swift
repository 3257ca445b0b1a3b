import OCCLI
print("ocapply")
