"""Following authors and watching papers: hearing when something new happens to them."""
