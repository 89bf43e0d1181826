enum _PlaceholderSikoDelivery {}
