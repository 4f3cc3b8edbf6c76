from .fgclip_recognizer import FGCLIPRecognizer, stack_regions
from .snippet_recognizer import SnippetVADRecognizer

__all__ = ['FGCLIPRecognizer', 'SnippetVADRecognizer', 'stack_regions']
