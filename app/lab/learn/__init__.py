"""Learn: W recovered by training from (X, Y) pairs, against the least-squares optimum; and the
channel reduction (PCA, the linear autoencoder)."""
