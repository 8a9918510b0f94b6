"""Generation of the contract documents (JSON Schemas, AsyncAPI) from the runtime kit's
event models."""
