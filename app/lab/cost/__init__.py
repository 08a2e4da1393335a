"""Cost: parameters and multiply–adds of 1×1 and k×k convolutions and of the blocks built from them,
counted from real modules beside their closed forms."""
