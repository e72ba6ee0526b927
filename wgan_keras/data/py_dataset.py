"""The adapter for a `keras.utils.PyDataset` of batches."""

import keras

from wgan_keras.data.interleave import interleave


class GroupedPyDataset(keras.utils.PyDataset):
    """Interleaves `critic_steps` consecutive batches of a `PyDataset`."""

    def __init__(self, dataset, critic_steps, check=None):
        super().__init__()
        self.dataset = dataset
        self.critic_steps = critic_steps
        self.check = check
        if len(dataset) < critic_steps:
            raise ValueError(
                f"Each train step needs `critic_steps={critic_steps}` batches. "
                f"Received: a dataset of {len(dataset)} batches"
            )

    def __len__(self):
        return len(self.dataset) // self.critic_steps

    def __getitem__(self, index):
        start = index * self.critic_steps
        group = interleave([self.dataset[start + i] for i in range(self.critic_steps)])
        if self.check is not None:
            self.check(group)
        return group

    def on_epoch_end(self):
        self.dataset.on_epoch_end()
