print("siko")
