"""Generators and critics from the WGAN, WGAN-GP and SN-GAN papers."""

from wgan_keras.networks.dcgan import DCGANCritic, DCGANGenerator  # noqa: F401
from wgan_keras.networks.mlp import MLPCritic, MLPGenerator  # noqa: F401
from wgan_keras.networks.resnet import ResNetCritic, ResNetGenerator  # noqa: F401
