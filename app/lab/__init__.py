"""The service layer: request → tensors → core → answer; the rules and limits both the API and the pages use."""
