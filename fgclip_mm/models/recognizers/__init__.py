from .fgclip_recognizer import FGCLIPRecognizer, stack_regions

__all__ = ['FGCLIPRecognizer', 'stack_regions']
