"""The landing page: what this person does next."""
