"""Rising topics: keyphrases whose share of new papers grows against their baseline."""
