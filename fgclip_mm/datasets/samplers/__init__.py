from .balanced_sampler import BalancedVADSampler, is_anomalous_entry

__all__ = ['BalancedVADSampler', 'is_anomalous_entry']
