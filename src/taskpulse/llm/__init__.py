"""Model providers: the protocol, Groq (the only module importing groq) and the offline agent."""
