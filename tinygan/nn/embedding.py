"""nn.Embedding: a learned lookup table, e.g. the class embedding of a conditional GAN."""
from tinygan.creation import empty_parameter
from tinygan.errors import ShapeError
from tinygan.nn import functional as F, init
from tinygan.nn.module import Module, Parameter


class Embedding(Module):
    """y = weight[input]: row i of weight (num_embeddings, embedding_dim) for each integer index i
    of input (any shape; output input.shape + (embedding_dim,)), as torch.nn.Embedding. weight
    starts N(0, 1); the row at padding_idx starts at zero and receives no gradient. Gradients
    into weight are scatter-added, so repeated indices accumulate. Not supported: max_norm,
    scale_grad_by_freq, sparse."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False):
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError("Embedding: max_norm, scale_grad_by_freq and sparse are not supported")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} is out of range for {num_embeddings} embeddings")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        if _weight is None:
            self.weight = init.normal_(empty_parameter(num_embeddings, embedding_dim))
            if padding_idx is not None:
                self.weight.array[padding_idx] = 0
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ShapeError(f"Embedding: _weight {tuple(_weight.shape)} does not match "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding whose weight is (a Parameter sharing the array of) the 2-d `embeddings`;
        freeze=True (the default, as PyTorch) makes it not require grad."""
        if embeddings.ndim != 2:
            raise ShapeError(f"Embedding.from_pretrained: embeddings must be 2-d, got {tuple(embeddings.shape)}")
        return cls(embeddings.shape[0], embeddings.shape[1], padding_idx, _weight=embeddings, _freeze=freeze)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}" + (
            f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
