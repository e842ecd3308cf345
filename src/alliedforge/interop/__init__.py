"""The value of interoperability: qualifications ranked by what they save or are worth."""
